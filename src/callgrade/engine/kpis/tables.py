"""Open the warehouse's canonical tables in any Ibis backend."""

from __future__ import annotations

import weakref

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from callgrade.engine.kpis.corrections import corrected
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse, WarehouseReader


def open_tables(
    con: ibis.BaseBackend, warehouse: WarehouseReader, corrections: pa.Table | None = None
) -> dict[str, ir.Table]:
    """Every canonical table as an Ibis table on ``con``: its live Parquet files (only those the
    manifest names), or an empty table with the canonical schema when there are none; with
    ``corrections`` (canonical rows) applied to the records they name.

    All tables come from one manifest. Given a :class:`Warehouse`, the manifest current now is
    pinned for as long as ``con`` lives (the tables hold ``con``), so commits meanwhile neither
    remove its files nor mix in theirs; given a snapshot, the caller keeps it open."""
    if isinstance(warehouse, Warehouse):
        snap = warehouse.snapshot()
        weakref.finalize(con, snap.close)
        warehouse = snap
    out: dict[str, ir.Table] = {}
    for name, spec in TABLES.items():
        schema = ibis.Schema.from_pyarrow(spec.schema)
        files = [str(f) for f in warehouse.files(name)]
        if not files:
            out[name] = ibis.memtable(spec.schema.empty_table())
            continue
        if con.name == "duckdb":
            # hive_partitioning off: the month=… folder must not become a column.
            t = con.read_parquet(files, hive_partitioning=False)
        else:
            # One read per file: other engines would also infer month=… as a column from a folder.
            reads = [con.read_parquet(f) for f in files]
            t = reads[0].union(*reads[1:]) if len(reads) > 1 else reads[0]
        out[name] = _conform(t, schema)
    return corrected(out, corrections)


def _conform(t: ir.Table, schema: ibis.Schema) -> ir.Table:
    # Cast only columns whose type really differs: a no-op CAST (e.g. to the non-null variant)
    # would sit between the time filter and the Parquet scan and could stop row-group pruning.
    have = t.schema()
    cols = {}
    for name, typ in schema.items():
        col = t[name]
        if have[name].copy(nullable=True) != typ.copy(nullable=True):
            col = col.cast(typ)
        cols[name] = col
    return t.select(**cols)
