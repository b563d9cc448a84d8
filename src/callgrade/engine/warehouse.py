"""The warehouse: canonical tables as Parquet files partitioned by month, read by DuckDB.

Layout under ``<data_dir>/warehouse``::

    _manifest.json                      the committed state: which file is live for each partition
    interactions/month=2026-01/part-<id>.parquet
    roster/all/part-<id>.parquet        (unpartitioned tables)

Why a manifest: an ingest can touch many partitions of several tables. New partition files are
written under fresh names first; the commit is one atomic ``os.replace`` of the manifest. A crash
or error before that leaves the old manifest pointing at the old files, so the warehouse is exactly
as it was. Readers only ever see files named in the manifest.

Idempotence: every table has a stable key; a partition is rewritten as the union of its old and
new rows with one row per key (the greatest ``version_column`` wins, then the newer ingest), so
ingesting the same file twice adds nothing.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callgrade.engine.schemas import TABLES, TableSpec, conform

MANIFEST = "_manifest.json"
UNPARTITIONED = "all"


@dataclass(frozen=True)
class TableCommit:
    table: str
    rows_in: int  # rows offered by this ingest
    added: int  # rows whose key was new
    replaced: int  # rows that superseded or repeated an existing key
    total: int  # rows in the table after the commit


class Warehouse:
    def __init__(self, data_dir: Path | str) -> None:
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "warehouse"
        self.rejects_dir = self.data_dir / "rejects"

    # ---- reading -------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {"version": 0, "tables": {}}
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return data

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

    # ---- writing -------------------------------------------------------------------------

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def commit(self, tables: dict[str, pa.Table]) -> dict[str, TableCommit]:
        """Merge ``tables`` (canonical name → rows) into the warehouse atomically."""
        with self._lock():
            manifest = self.manifest()
            live: dict[str, dict[str, str]] = {t: dict(p) for t, p in manifest["tables"].items()}
            written: list[Path] = []
            superseded: list[Path] = []
            stats: dict[str, TableCommit] = {}
            try:
                for name, rows in tables.items():
                    spec = TABLES[name]
                    rows = conform(name, rows)
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
                        parts[month] = rel
                        if old_rel:
                            superseded.append(self.root / old_rel)
                    total = sum(
                        pq.ParquetFile(self.root / r).metadata.num_rows for r in parts.values()
                    )
                    stats[name] = TableCommit(name, rows.num_rows, added, replaced, total)
                new_manifest = {"version": manifest["version"] + 1, "tables": live}
                tmp = self.root / f"{MANIFEST}.{uuid.uuid4().hex}.tmp"
                tmp.write_text(json.dumps(new_manifest, indent=1, sort_keys=True), "utf-8")
                os.replace(tmp, self.root / MANIFEST)
            except BaseException:
                for f in written:
                    f.unlink(missing_ok=True)
                raise
            for f in superseded:
                f.unlink(missing_ok=True)
            return stats

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
