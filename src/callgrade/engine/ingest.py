"""Ingest files into the warehouse: parse with a connector, commit atomically, keep rejects."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from callgrade.engine.batches import BatchInfo
from callgrade.engine.connectors import parse
from callgrade.engine.warehouse import TableCommit, Warehouse


@dataclass(frozen=True)
class FileReport:
    path: Path
    connector: str
    read: int
    accepted: int
    rejected: int
    rows: dict[str, int]  # canonical rows produced, by table
    rejects_file: Path | None
    filtered: int = 0  # left aside by a row filter: read == accepted + rejected + filtered
    unreadable: str | None = None  # why the file as a whole could not be read (e.g. empty)


@dataclass(frozen=True)
class IngestReport:
    files: list[FileReport]
    commits: dict[str, TableCommit]
    batch: str = ""  # the batch this ingest committed (``callgrade warehouse undo BATCH``)

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def filtered(self) -> int:
        return sum(f.filtered for f in self.files)


def ingest_files(
    warehouse: Warehouse,
    connector: str,
    paths: Sequence[Path],
    *,
    on_file: Callable[[Path], None] | None = None,
    batch: BatchInfo | None = None,
    adjust: Callable[[dict[str, pa.Table]], dict[str, pa.Table]] | None = None,
    **options: Any,
) -> IngestReport:
    """Parse every file, then commit all of them in one transaction, as one batch: if any file
    cannot be parsed at all (a ConnectorError) nothing is written. ``options`` go to the
    connector for every file (e.g. ``tz``, or queue_log's ``horizon``: where open logins and
    pauses stop). ``adjust`` may take rows out of the parsed tables before they are committed
    (a database pull drops what only its reading context produced)."""
    results = []
    for path in paths:
        if on_file:
            on_file(path)
        results.append(parse(connector, Path(path), **options))
    merged: dict[str, list[pa.Table]] = {}
    for r in results:
        for name, table in r.tables.items():
            merged.setdefault(name, []).append(table)
    batch = batch or BatchInfo(label=f"{connector}: " + ", ".join(Path(p).name for p in paths))
    batch.files = [
        {
            "name": Path(path).name,
            "connector": connector,
            "read": r.read,
            "accepted": r.accepted,
            "rejected": r.rejected,
            "filtered": r.filtered,
        }
        for path, r in zip(paths, results, strict=True)
    ]
    tables = {
        name: pa.concat_tables(ts, promote_options="permissive") for name, ts in merged.items()
    }
    commits = warehouse.commit(adjust(tables) if adjust else tables, batch=batch)
    reports = []
    for path, r in zip(paths, results, strict=True):
        rejects_file = warehouse.write_rejects(r.source, r.rejects)
        reports.append(
            FileReport(
                path=Path(path),
                connector=connector,
                read=r.read,
                accepted=r.accepted,
                rejected=r.rejected,
                rows={name: t.num_rows for name, t in r.tables.items()},
                rejects_file=rejects_file,
                filtered=r.filtered,
                unreadable=r.unreadable,
            )
        )
    return IngestReport(reports, commits, batch.id)
