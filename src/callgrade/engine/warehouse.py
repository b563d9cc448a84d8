"""The warehouse: canonical tables as Parquet files partitioned by month, read by DuckDB.

Layout under ``<data_dir>/warehouse``::

    _manifest.json                      the committed state: which file is live for each partition
    interactions/month=2026-01/part-<id>.parquet
    roster/all/part-<id>.parquet        (unpartitioned tables)
    _leases/<version>-<id>.json         one per open reader: the manifest it pinned
    .lock, .leases.lock                 the writer's lock; the lock between pinning and collecting

Why a manifest: an ingest can touch many partitions of several tables. New partition files are
written under fresh names first; the commit is one atomic ``os.replace`` of the manifest. A crash
or error before that leaves the old manifest pointing at the old files, so the warehouse is exactly
as it was. Readers only ever see files named in the manifest.

Snapshot reads: a reader (:meth:`Warehouse.snapshot`) pins the manifest current when it starts
and reads exactly that manifest's files until it is closed, however many commits happen
meanwhile. It announces itself with a lease file holding its manifest, flock-ed for as long as
it reads; the kernel drops the flock when the reader closes it or its process dies, so a lease
nobody holds is known to be stale, across processes (the web app and the CLI). Files are
deleted only by :meth:`Warehouse.collect` (after every commit, and ``callgrade warehouse gc``),
under the writer's lock: every Parquet file that neither the current manifest nor a held lease
names goes, which covers files a commit replaced once their last reader is done and files a
killed ingest wrote but never committed. Pinning (read the manifest, write the lease) and
collecting (read the leases, delete) exclude each other through ``.leases.lock``, so a reader
either is seen by the collection or pins the manifest the collection keeps.

Idempotence: every table has a stable key; a partition is rewritten as the union of its old and
new rows with one row per key (the greatest ``version_column`` wins, then the newer ingest), so
ingesting the same file twice adds nothing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callgrade.engine import batches
from callgrade.engine.batches import BatchInfo, UndoReport
from callgrade.engine.schemas import TABLES, TableSpec, conform

MANIFEST = "_manifest.json"
UNPARTITIONED = "all"
LEASES = "_leases"
LEASES_LOCK = ".leases.lock"
WRITER_LOCK = ".lock"
# Fault injection for tests: the writer pretends the disk fills up after this many bytes (see
# ``_check_space``). Read by the writer only; unset in production.
FAULT_DISK_FULL_AFTER = "CALLGRADE_FAULT_DISK_FULL_AFTER"
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class WarehouseFull(OSError):
    """The disk holding the warehouse filled up during a commit (nothing was changed)."""

    def __str__(self) -> str:
        return str(self.strerror)  # the sentence, without OSError's "[Errno 28]" prefix


@dataclass(frozen=True)
class TableCommit:
    table: str
    rows_in: int  # rows offered by this ingest
    added: int  # rows whose key was new
    replaced: int  # rows that superseded or repeated an existing key
    total: int  # rows in the table after the commit


class WarehouseReader:
    """Reading the files one manifest names (``manifest()`` says which)."""

    root: Path

    def manifest(self) -> dict[str, Any]:
        raise NotImplementedError

    def files(self, table: str) -> list[Path]:
        """Live Parquet files of ``table`` in partition order."""
        parts: dict[str, str] = self.manifest()["tables"].get(table, {})
        return [self.root / parts[p] for p in sorted(parts)]

    def read(self, table: str) -> pa.Table:
        """The whole table (for small tables and tests; KPIs read through DuckDB/Ibis)."""
        files = self.files(table)
        if not files:
            return TABLES[table].schema.empty_table()
        return conform(table, pa.concat_tables([pq.read_table(f) for f in files]))

    def count(self, table: str) -> int:
        return sum(pq.ParquetFile(f).metadata.num_rows for f in self.files(table))

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create one DuckDB view per canonical table (empty tables keep their schema)."""
        for name, spec in TABLES.items():
            files = self.files(name)
            if files:
                paths = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
                con.execute(
                    f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM read_parquet([{paths}])'
                )
            else:
                empty = spec.schema.empty_table()  # noqa: F841  (referenced by DuckDB below)
                con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM empty')


class Snapshot(WarehouseReader):
    """One pinned manifest: its files stay on disk until :meth:`close` (or until the snapshot is
    garbage-collected, or its process ends)."""

    def __init__(
        self, root: Path, manifest: dict[str, Any], lease: Path | None, fh: IO[str] | None
    ):
        self.root = root
        self._manifest = manifest
        self.lease = lease
        self._release = weakref.finalize(self, _release_lease, lease, fh)

    @property
    def version(self) -> int:
        return int(self._manifest["version"])

    def manifest(self) -> dict[str, Any]:
        return self._manifest

    def close(self) -> None:
        self._release()

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _release_lease(lease: Path | None, fh: IO[str] | None) -> None:
    if lease is not None:
        lease.unlink(missing_ok=True)
    if fh is not None:
        fh.close()  # drops the flock


class Warehouse(WarehouseReader):
    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "warehouse"
        self.rejects_dir = self.data_dir / "rejects"

    # ---- reading -------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        """The manifest committed now. Its files may be replaced and collected by the next
        commit: a reader that opens them later reads through :meth:`snapshot` instead."""
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": 0, "tables": {}}
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

    def snapshot(self) -> Snapshot:
        """Pin the current manifest: the snapshot's files stay until it is closed."""
        if not (self.root / MANIFEST).exists():
            return Snapshot(self.root, self.manifest(), None, None)  # nothing to protect
        leases = self.root / LEASES
        try:
            leases.mkdir(exist_ok=True)
            with self._flock(LEASES_LOCK, fcntl.LOCK_SH):
                manifest = self.manifest()
                lease = leases / f"{manifest['version']}-{uuid.uuid4().hex}.json"
                fh = open(lease, "x", encoding="utf-8")  # noqa: SIM115  (held until close)
                try:
                    fcntl.flock(fh, fcntl.LOCK_SH)
                    fh.write(json.dumps(manifest))
                    fh.flush()
                except BaseException:
                    fh.close()
                    lease.unlink(missing_ok=True)
                    raise
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS, *DISK_FULL):
                raise
            # A reader that cannot write beside the warehouse (a read-only mount, a full disk)
            # cannot announce itself; it reads the manifest unprotected rather than not at all.
            return Snapshot(self.root, self.manifest(), None, None)
        return Snapshot(self.root, manifest, lease, fh)

    def read(self, table: str) -> pa.Table:
        with self.snapshot() as snap:
            return snap.read(table)

    def count(self, table: str) -> int:
        with self.snapshot() as snap:
            return snap.count(table)

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        """Views over one snapshot, pinned for as long as ``con`` lives."""
        snap = self.snapshot()
        weakref.finalize(con, snap.close)
        snap.register(con)

    # ---- writing -------------------------------------------------------------------------

    @contextmanager
    def _flock(self, name: str, mode: int) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / name, "a") as fh:
            fcntl.flock(fh, mode)  # released when the file closes, or the process dies
            yield

    def commit(
        self, tables: dict[str, pa.Table], *, batch: BatchInfo | None = None
    ) -> dict[str, TableCommit]:
        """Merge ``tables`` (canonical name → rows) into the warehouse atomically, as one batch
        (``batch`` names it; see :mod:`callgrade.engine.batches`).

        Raises :class:`WarehouseFull` when the disk fills up; the warehouse is then unchanged."""
        try:
            with self._flock(WRITER_LOCK, fcntl.LOCK_EX):
                stats = self._commit(tables, batch or BatchInfo())
                with contextlib.suppress(OSError):
                    # the commit stands; whatever is not collected now goes at the next one
                    self._collect()
                return stats
        except OSError as exc:
            if not _disk_full(exc):
                raise
            # Arrow's own words wrap the system's ("Error writing bytes … [errno 28] …")
            reason = os.strerror(exc.errno or errno.ENOSPC)
            raise WarehouseFull(
                errno.ENOSPC,
                f"the disk holding the warehouse ({self.root}) is full ({reason}); "
                "nothing was changed: free some space and ingest again",
            ) from exc

    def _commit(self, tables: dict[str, pa.Table], batch: BatchInfo) -> dict[str, TableCommit]:
        manifest = self.manifest()
        live: dict[str, dict[str, str]] = {t: dict(p) for t, p in manifest["tables"].items()}
        ledger = dict(batches.ledger(manifest))
        written: list[Path] = []
        used = 0  # bytes written, for the disk-full fault injection only
        stats: dict[str, TableCommit] = {}
        conformed: dict[str, pa.Table] = {}
        try:
            if "batches" not in manifest:  # the first commit keeping a ledger
                base = batches.baseline_entry(self.root, live, written)
                if base is not None:
                    ledger[batches.BASELINE] = base
            if batch.id in ledger:
                raise ValueError(f"batch {batch.id!r} is already in the warehouse")
            for name, rows in tables.items():
                spec = TABLES[name]
                rows = conformed[name] = conform(name, rows)
                parts = live.setdefault(name, {})
                added = replaced = 0
                for month, chunk in _split_by_month(spec, rows):
                    old_rel = parts.get(month)
                    old = pq.read_table(self.root / old_rel) if old_rel else None
                    merged = _merge(spec, old, chunk)
                    before = 0 if old is None else old.num_rows
                    added += merged.num_rows - before
                    replaced += chunk.num_rows - (merged.num_rows - before)
                    rel = f"{name}/month={month}/part-{uuid.uuid4().hex}.parquet"
                    target = self.root / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    written.append(target)
                    pq.write_table(merged, target, compression="zstd")
                    used = _check_space(target, used)
                    parts[month] = rel
                total = sum(pq.ParquetFile(self.root / r).metadata.num_rows for r in parts.values())
                stats[name] = TableCommit(name, rows.num_rows, added, replaced, total)
            ledger[batch.id] = batches.batch_entry(self.root, batch, conformed, written)
            self._replace_manifest(
                {**manifest, "version": manifest["version"] + 1, "tables": live, "batches": ledger},
                written,
                used,
            )
        except BaseException:
            for f in written:
                f.unlink(missing_ok=True)
            raise
        # The files this commit replaced stay until no reader's lease names them (``collect``).
        return stats

    def _replace_manifest(self, new: dict[str, Any], written: list[Path], used: int) -> None:
        tmp = self.root / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
        written.append(tmp)
        tmp.write_text(json.dumps(new, indent=1, sort_keys=True), "utf-8")
        _check_space(tmp, used)
        os.replace(tmp, self.root / MANIFEST)

    def batches(self) -> list[tuple[str, dict[str, Any]]]:
        """The ledger, newest first: (batch id, entry)."""
        return list(batches.listing(self.manifest()))

    def undo(self, batch_id: str) -> UndoReport:
        """Take batch ``batch_id`` out of the warehouse in one commit: the rows only it wrote go
        (see :mod:`callgrade.engine.batches`). Undoing an undone batch changes nothing."""
        batches.check_id(batch_id)
        with self._flock(WRITER_LOCK, fcntl.LOCK_EX):
            manifest = self.manifest()
            entry = batches.ledger(manifest).get(batch_id)
            if entry is not None and entry.get("undone_at"):
                return UndoReport(batch_id, {}, {}, already_undone=True)
            plan = batches.undo_plan(self.root, manifest, batch_id)
            live = {t: dict(p) for t, p in manifest["tables"].items()}
            removed: dict[str, int] = {}
            written: list[Path] = []
            try:
                for table, keys in plan.items():
                    removed[table] = 0
                    for month, rel in sorted(live.get(table, {}).items()):
                        old = pq.read_table(self.root / rel)
                        kept = batches.remove_keys(old, TABLES[table].key, keys)
                        if kept.num_rows == old.num_rows:
                            continue
                        removed[table] += old.num_rows - kept.num_rows
                        if kept.num_rows == 0:
                            del live[table][month]
                            continue
                        new_rel = f"{table}/month={month}/part-{uuid.uuid4().hex}.parquet"
                        written.append(self.root / new_rel)
                        pq.write_table(kept, self.root / new_rel, compression="zstd")
                        live[table][month] = new_rel
                assert entry is not None  # undo_plan refused an unknown batch
                ledger = dict(batches.ledger(manifest))
                ledger[batch_id] = {**entry, "undone_at": batches.now(), "removed": removed}
                live = {t: parts for t, parts in live.items() if parts}  # emptied: gone
                new = {**manifest, "version": manifest["version"] + 1, "tables": live}
                self._replace_manifest({**new, "batches": ledger}, written, 0)
            except BaseException:
                for f in written:
                    f.unlink(missing_ok=True)
                raise
            with contextlib.suppress(OSError):
                self._collect()
        kept_rows = {t: entry.get("rows", {}).get(t, 0) - len(plan[t]) for t in plan}
        return UndoReport(batch_id, removed, kept_rows)

    def collect(self) -> list[Path]:
        """Delete every file no reader can still need: Parquet files neither the current
        manifest nor a held lease names (replaced partitions, files of killed ingests), stale
        leases and unfinished manifests. Returns the deleted files."""
        if not (self.root / MANIFEST).exists() and not self.root.is_dir():
            return []
        with self._flock(WRITER_LOCK, fcntl.LOCK_EX):
            return self._collect()

    def _collect(self) -> list[Path]:
        """Under the writer's lock: no commit is writing files it has not committed yet."""
        removed: list[Path] = []
        keep = _named(self.manifest())
        with self._flock(LEASES_LOCK, fcntl.LOCK_EX):
            leases = self.root / LEASES
            for lease in sorted(leases.glob("*.json")) if leases.is_dir() else []:
                try:
                    pinned = _held(lease)
                except ValueError:  # unreadable, so which files it needs is unknown: keep all
                    return removed
                if pinned is None:
                    lease.unlink(missing_ok=True)  # its reader closed it or died
                    removed.append(lease)
                else:
                    keep |= _named(pinned)
            for path in sorted(self.root.rglob("*.parquet")):
                if path.relative_to(self.root).as_posix() not in keep:
                    path.unlink(missing_ok=True)
                    removed.append(path)
        for tmp in self.root.glob(f"{MANIFEST}.*.tmp"):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
        for folder in self.root.glob("*/*"):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return removed

    def write_rejects(self, source: str, rejects: pa.Table) -> Path | None:
        """Keep rejected records beside the warehouse, one CSV per source file (re-ingesting the
        file replaces it, so rejects are idempotent too). Returns the path, or None if none."""
        self.rejects_dir.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in source)
        path = self.rejects_dir / f"{safe}.rejects.csv"
        if rejects.num_rows == 0:
            path.unlink(missing_ok=True)
            return None
        from callgrade.engine.cells import csv_bytes

        # Rejected lines are raw source text: written cell by cell so none runs as a formula
        # in the spreadsheet the operator opens the file with.
        tmp = path.with_suffix(".tmp")
        rows = (list(r.values()) for r in rejects.to_pylist())
        tmp.write_bytes(csv_bytes(rejects.column_names, rows, bom=False))
        os.replace(tmp, path)
        return path


def _named(manifest: dict[str, Any]) -> set[str]:
    """The files a manifest names, relative to the warehouse root."""
    tables = {rel for parts in manifest["tables"].values() for rel in parts.values()}
    return tables | batches.named_files(manifest)


def _held(lease: Path) -> dict[str, Any] | None:
    """The manifest a lease pins while its reader still holds it; None once nobody does."""
    try:
        fh = open(lease, encoding="utf-8")  # noqa: SIM115  (closed below, after the probe)
    except FileNotFoundError:
        return None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            data: dict[str, Any] = json.loads(fh.read())
            return data
        return None


def _disk_full(exc: OSError) -> bool:
    # Arrow reports a failed write as an OSError without errno, naming it in the message.
    text = str(exc).lower()
    return exc.errno in DISK_FULL or "no space left" in text or "[errno 28]" in text


def _check_space(path: Path, used: int) -> int:
    """Fault injection (``CALLGRADE_FAULT_DISK_FULL_AFTER=<bytes>``, tests only): once a commit
    has written more than that many bytes, the file being written is cut where the disk would
    have filled up and the write fails as a full disk fails. Returns the bytes written so far."""
    size = path.stat().st_size
    budget = os.environ.get(FAULT_DISK_FULL_AFTER)
    if budget is not None and used + size > int(budget):
        os.truncate(path, max(0, int(budget) - used))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    return used + size


def _split_by_month(spec: TableSpec, rows: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    if rows.num_rows == 0:
        return
    if spec.time_column is None:
        yield UNPARTITIONED, rows
        return
    # Integer year*100+month: strftime costs about a second per million rows.
    stamps = rows.column(spec.time_column)
    months = pc.add(pc.multiply(pc.year(stamps), 100), pc.month(stamps))
    unique = pc.unique(months).to_pylist()
    for month in unique:
        if month is None:  # no time: no partition (conform rejects nulls in required columns)
            continue
        label = f"{month // 100:04d}-{month % 100:02d}"
        yield label, rows if len(unique) == 1 else rows.filter(pc.equal(months, month))


def _merge(spec: TableSpec, old: pa.Table | None, new: pa.Table) -> pa.Table:
    """One row per key; the greatest version wins, then the later row (new after old)."""
    # A new partition with distinct keys has nothing to merge. ``unique`` is one hash pass,
    # about twice as fast as ``count_distinct`` on 3M string keys.
    if old is None and len(pc.unique(new.column(spec.key))) == new.num_rows:
        return conform(spec.name, new)
    parts = [new] if old is None else [conform(spec.name, old), new]
    both = pa.concat_tables(parts)
    both = both.append_column("__ord", pa.array(range(both.num_rows), pa.int64()))
    order = "__ord DESC"
    if spec.version_column:
        order = f'"{spec.version_column}" DESC NULLS LAST, {order}'
    con = duckdb.connect()
    try:
        con.register("merge_input", both)
        out = con.execute(
            f"""SELECT * EXCLUDE (__rn) FROM (
                  SELECT *, row_number() OVER (PARTITION BY "{spec.key}" ORDER BY {order}) AS __rn
                  FROM merge_input) WHERE __rn = 1 ORDER BY __ord"""
        ).to_arrow_table()
        out = out.drop_columns(["__ord"])
    finally:
        con.close()
    return conform(spec.name, out)
