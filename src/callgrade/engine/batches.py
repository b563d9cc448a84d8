"""Batches: every write to the warehouse is one batch, and a batch can be taken out as a whole.

The ledger lives in the manifest (``batches``), so a batch and the rows it wrote are committed by
the same atomic rename, and so is its undoing. Each batch names, per table, a Parquet file of
the keys it wrote (``_batches/<id>/<table>.parquet``); its entry says what it was (a label, the
files and their read / accepted / rejected / filtered counts, a pull's cursor) and, once undone,
when.

Which rows an undo removes: the keys the batch wrote that **no other standing batch also
wrote**. Loading the same file twice makes two batches holding the same keys; undoing either
leaves the rows (the other load still stands), undoing both removes them, in either order. Rows
the warehouse held before it kept a ledger belong to a ``baseline`` batch made at the first
batch-keeping commit; it cannot be undone, so an undo never removes rows it cannot account
for. A row also written by another standing batch stays as it is now (the warehouse keeps one
version per key, not the history of versions).

Undoing is idempotent: an undone batch stays in the ledger, marked, and undoing it again
changes nothing. This module works on manifests and files only; :class:`Warehouse` holds the
locks and writes the manifest.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from callgrade.engine.schemas import TABLES

BATCHES = "_batches"
BASELINE = "baseline"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class BatchError(ValueError):
    """An undo that cannot be done: unknown batch, or the baseline. One plain sentence."""


@dataclass
class BatchInfo:
    """What the caller says about a batch it is about to commit."""

    label: str = ""
    id: str = field(default_factory=lambda: new_id())
    files: list[dict[str, Any]] = field(default_factory=list)  # name, connector and counts
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. a pull's source and cursor


@dataclass(frozen=True)
class UndoReport:
    batch: str
    removed: dict[str, int]  # rows taken out, by table
    kept: dict[str, int]  # rows the batch wrote that another standing batch also wrote
    already_undone: bool = False

    @property
    def total_removed(self) -> int:
        return sum(self.removed.values())


def new_id() -> str:
    """Sortable by time, unique without coordination: ``20261204T132900-3fa9c1``."""
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{now}-{uuid.uuid4().hex[:6]}"


def check_id(batch_id: str) -> str:
    if not _ID.match(batch_id or ""):
        raise BatchError(
            f"{batch_id!r} is not a batch id; expected letters, digits, '-', '_' or '.' "
            "(see 'callgrade warehouse batches')"
        )
    return batch_id


def ledger(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = manifest.get("batches", {})
    return data


def standing(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: b for k, b in ledger(manifest).items() if not b.get("undone_at")}


def named_files(manifest: dict[str, Any]) -> set[str]:
    """The key files the ledger names, relative to the warehouse root (kept by collection)."""
    return {rel for b in ledger(manifest).values() for rel in b.get("keys", {}).values()}


def _write_keys(root: Path, batch_id: str, table: str, keys: pa.Array) -> str:
    rel = f"{BATCHES}/{batch_id}/{table}-{uuid.uuid4().hex[:8]}.parquet"
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"key": keys.cast(pa.string())}), target, compression="zstd")
    return rel


def read_keys(root: Path, rel: str) -> pa.Array:
    return pq.read_table(root / rel, columns=["key"]).column("key").combine_chunks()


def baseline_entry(
    root: Path, tables: dict[str, dict[str, str]], written: list[Path]
) -> dict[str, Any] | None:
    """The ledger entry holding every row already in the warehouse when it starts keeping one
    (None when it is empty). Files it writes are appended to ``written``."""
    keys: dict[str, str] = {}
    rows: dict[str, int] = {}
    for table, parts in sorted(tables.items()):
        if not parts:
            continue
        key = TABLES[table].key
        arrays = [pq.read_table(root / rel, columns=[key]).column(key) for rel in parts.values()]
        column = pa.chunked_array(
            [c for a in arrays for c in a.chunks], type=arrays[0].type
        ).combine_chunks()
        keys[table] = _write_keys(root, BASELINE, table, column)
        written.append(root / keys[table])
        rows[table] = len(column)
    if not keys:
        return None
    return {
        "label": "rows in the warehouse before loads were recorded",
        "at": now(),
        "baseline": True,
        "keys": keys,
        "rows": rows,
        "files": [],
    }


def batch_entry(
    root: Path, info: BatchInfo, tables: dict[str, pa.Table], written: list[Path]
) -> dict[str, Any]:
    """The ledger entry of a commit of ``tables`` (already conformed)."""
    keys: dict[str, str] = {}
    rows: dict[str, int] = {}
    for table, t in sorted(tables.items()):
        if t.num_rows == 0:
            continue
        column = pc.unique(t.column(TABLES[table].key).combine_chunks())
        keys[table] = _write_keys(root, info.id, table, column)
        written.append(root / keys[table])
        rows[table] = len(column)
    return {
        "label": info.label,
        "at": now(),
        "keys": keys,
        "rows": rows,
        "files": info.files,
        **info.extra,
    }


def undo_plan(root: Path, manifest: dict[str, Any], batch_id: str) -> dict[str, pa.Array]:
    """Per table, the keys undoing ``batch_id`` removes: its keys that no other standing batch
    holds. Raises BatchError for an unknown batch or the baseline."""
    entries = ledger(manifest)
    if batch_id not in entries:
        raise BatchError(
            f"no batch {batch_id!r} in this warehouse (see 'callgrade warehouse batches')"
        )
    entry = entries[batch_id]
    if entry.get("baseline"):
        raise BatchError(
            f"batch {batch_id!r} holds the rows that were in the warehouse before loads were "
            "recorded; it cannot be undone"
        )
    others = {k: b for k, b in standing(manifest).items() if k != batch_id}
    plan: dict[str, pa.Array] = {}
    for table, rel in entry.get("keys", {}).items():
        mine = read_keys(root, rel)
        held = [read_keys(root, b["keys"][table]) for b in others.values() if table in b["keys"]]
        if held:
            also = pa.chunked_array(held, type=pa.string()).combine_chunks()
            mine = mine.filter(pc.invert(pc.is_in(mine, value_set=also)))
        plan[table] = mine
    return plan


def remove_keys(table: pa.Table, key: str, keys: pa.Array) -> pa.Table:
    if len(keys) == 0 or table.num_rows == 0:
        return table
    hit = pc.is_in(table.column(key).cast(pa.string()), value_set=keys)
    return table.filter(pc.invert(pc.fill_null(hit, False)))


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def listing(manifest: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """The ledger, newest first."""
    return sorted(
        ledger(manifest).items(), key=lambda kv: (kv[1].get("at", ""), kv[0]), reverse=True
    )
