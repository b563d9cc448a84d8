"""Warehouse: month partitions, idempotent re-ingest, atomic commits."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from callgrade.engine.warehouse import Warehouse

UTC = dt.UTC


def ts(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)


def states(ids: list[str], starts: list[str], reason: str = "lunch") -> pa.Table:
    n = len(ids)
    return pa.table(
        {
            "state_id": ids,
            "agent_id": ["A1"] * n,
            "state": ["paused"] * n,
            "reason": [reason] * n,
            "start": [ts(s) for s in starts],
            "end": [ts(s) + dt.timedelta(minutes=5) for s in starts],
            "open_ended": [False] * n,
            "source": ["test"] * n,
            "source_ref": [f"t:{i}" for i in range(n)],
        }
    )


def test_partitions_by_month_and_reads_back(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit({"agent_states": states(["a", "b"], ["2026-01-31T23:58", "2026-02-01T00:00"])})
    files = wh.files("agent_states")
    assert [f.parent.name for f in files] == ["month=2026-01", "month=2026-02"]
    con = duckdb.connect()
    wh.register(con)
    assert con.execute("select count(*) from agent_states").fetchone() == (2,)
    assert con.execute("select count(*) from interactions").fetchone() == (0,)


def test_same_rows_twice_add_nothing(tmp_path):
    wh = Warehouse(tmp_path)
    rows = states(["a", "b", "c"], ["2026-01-01T08:00", "2026-01-01T09:00", "2026-03-01T09:00"])
    first = wh.commit({"agent_states": rows})["agent_states"]
    second = wh.commit({"agent_states": rows})["agent_states"]
    assert (first.added, first.total) == (3, 3)
    assert (second.added, second.replaced, second.total) == (0, 3, 3)
    assert wh.count("agent_states") == 3


def test_newer_row_for_same_key_wins(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit({"agent_states": states(["a"], ["2026-01-01T08:00"], reason="old")})
    wh.commit({"agent_states": states(["a"], ["2026-01-01T08:00"], reason="new")})
    assert wh.read("agent_states").column("reason").to_pylist() == ["new"]


def test_failure_midway_leaves_warehouse_as_it_was(tmp_path, monkeypatch):
    wh = Warehouse(tmp_path)
    wh.commit({"agent_states": states(["a"], ["2026-01-01T08:00"])})
    before_manifest = (tmp_path / "warehouse" / "_manifest.json").read_bytes()
    before_files = sorted(p for p in (tmp_path / "warehouse").rglob("*.parquet"))

    real_write = pq.write_table
    calls = {"n": 0}

    def failing_write(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", failing_write)
    with pytest.raises(OSError):
        wh.commit({"agent_states": states(["b", "c"], ["2026-01-02T08:00", "2026-02-02T08:00"])})
    assert (tmp_path / "warehouse" / "_manifest.json").read_bytes() == before_manifest
    assert sorted(p for p in (tmp_path / "warehouse").rglob("*.parquet")) == before_files
    assert wh.count("agent_states") == 1


def test_required_column_missing_is_named(tmp_path):
    wh = Warehouse(tmp_path)
    rows = states(["a"], ["2026-01-01T08:00"]).drop_columns(["agent_id"])
    with pytest.raises(ValueError, match="agent_id"):
        wh.commit({"agent_states": rows})


def test_duplicate_keys_in_a_new_partition_are_merged_and_year_ends_split(tmp_path):
    wh = Warehouse(tmp_path)
    rows = states(["a", "a", "b"], ["2025-12-31T23:59", "2025-12-31T23:59", "2026-01-01T00:00"])
    rows = rows.set_column(3, "reason", pa.array(["first", "second", "x"]))
    stats = wh.commit({"agent_states": rows})["agent_states"]
    assert (stats.added, stats.replaced, stats.total) == (2, 1, 2)
    files = wh.files("agent_states")
    assert [f.parent.name for f in files] == ["month=2025-12", "month=2026-01"]
    assert pq.read_table(files[0]).column("reason").to_pylist() == ["second"]
