"""Snapshot reads: a reader computing KPIs while ingests commit sees one whole committed
generation, never a missing file nor a mix of two generations; replaced and orphaned files are
collected only once no reader can still need them."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys
import threading
import time

import ibis
import pyarrow as pa
import pytest

from callgrade.engine import batches
from callgrade.engine.kpis import compute_kpis, open_tables
from callgrade.engine.periods import parse_period
from callgrade.engine.warehouse import FAULT_DISK_FULL_AFTER, Warehouse, WarehouseFull

UTC = dt.UTC
CALLS, STATES = 3, 2  # rows each generation adds, spread over two months
PERIODS = parse_period("2026-Q1", tz="UTC")


def generation(g: int) -> dict[str, pa.Table]:
    """Generation ``g``'s rows: every table gains rows in January and in February, so a commit
    replaces a partition file of each month of each table."""
    days = [dt.datetime(2026, 1 + j % 2, 10, 9, tzinfo=UTC) for j in range(CALLS)]
    interactions = pa.table(
        {
            "interaction_id": [f"i{g}-{j}" for j in range(CALLS)],
            "channel": ["voice"] * CALLS,
            "direction": ["inbound"] * CALLS,
            "queue": ["sales"] * CALLS,
            "agent_id": ["A1"] * CALLS,
            "offered_at": days,
            "answered_at": days,
            "ended_at": [d + dt.timedelta(minutes=2) for d in days],
            "talk_s": [120.0] * CALLS,
            "outcome": ["answered"] * CALLS,
            "answered": [True] * CALLS,
            "transferred": [False] * CALLS,
            "source": ["test"] * CALLS,
            "source_ref": [f"g{g}:{j}" for j in range(CALLS)],
        }
    )
    starts = [
        dt.datetime(2026, 1 + j % 2, 11, tzinfo=UTC) + dt.timedelta(hours=g) for j in range(STATES)
    ]
    states = pa.table(
        {
            "state_id": [f"s{g}-{j}" for j in range(STATES)],
            "agent_id": ["A1"] * STATES,
            "state": ["logged_in"] * STATES,
            "start": starts,
            "end": [s + dt.timedelta(minutes=30) for s in starts],
            "open_ended": [False] * STATES,
            "source": ["test"] * STATES,
            "source_ref": [f"g{g}:s{j}" for j in range(STATES)],
        }
    )
    return {"interactions": interactions, "agent_states": states}


def read_generation(wh: Warehouse) -> tuple[int, int, float, float]:
    """What one reader sees: both tables' row counts and the KPIs computed over them."""
    tables = open_tables(ibis.duckdb.connect(), wh)
    calls = tables["interactions"].count().to_pyarrow().as_py()
    states = tables["agent_states"].count().to_pyarrow().as_py()
    kpis = compute_kpis(tables, periods=PERIODS, by="center", kpis=["answer_rate", "login_time"])
    by_kpi = {r["kpi"]: r for r in kpis.to_pylist()}
    return calls, states, by_kpi["answer_rate"]["denominator"], by_kpi["login_time"]["value"]


def test_readers_see_whole_generations_while_ingests_commit(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(generation(1))
    last = 8
    done = threading.Event()
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            for g in range(2, last + 1):
                wh.commit(generation(g))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    seen: list[tuple[int, int, float, float]] = []

    def read() -> None:
        try:
            while not done.is_set():
                seen.append(read_generation(wh))
        except BaseException as exc:
            errors.append(exc)
            done.set()

    started = time.monotonic()
    threads = [threading.Thread(target=ingest), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[0]
    assert len(seen) >= 3, f"only {len(seen)} reads in {time.monotonic() - started:.1f}s"
    for calls, states, offered, login in seen:
        g = calls // CALLS
        # every count and KPI of one read is that of the same committed generation
        assert (calls, states, offered, login) == (
            CALLS * g,
            STATES * g,
            CALLS * g,
            1800.0 * STATES * g,
        )
    assert read_generation(wh)[:2] == (CALLS * last, STATES * last)


def parquet(wh: Warehouse) -> set[str]:
    return {p.relative_to(wh.root).as_posix() for p in wh.root.rglob("*.parquet")}


def named(wh: Warehouse) -> set[str]:
    manifest = wh.manifest()
    tables = {r for parts in manifest["tables"].values() for r in parts.values()}
    return tables | batches.named_files(manifest)  # the ledger's key files are named too


def test_a_snapshot_keeps_its_files_until_it_is_closed(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(generation(1))
    first = named(wh)
    with wh.snapshot() as snap:
        wh.commit(generation(2))
        wh.commit(generation(3))
        assert first <= parquet(wh)  # replaced twice, still there for the reader
        assert snap.count("interactions") == CALLS
        assert wh.count("interactions") == 3 * CALLS
        tables = open_tables(ibis.duckdb.connect(), snap)
        assert tables["agent_states"].count().to_pyarrow().as_py() == STATES
    assert list((wh.root / "_leases").iterdir()) == []
    wh.commit(generation(4))  # the next commit collects what no reader needs any more
    assert parquet(wh) == named(wh)


def test_open_tables_pins_until_its_connection_is_gone(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(generation(1))
    first = named(wh)
    con = ibis.duckdb.connect()
    tables = open_tables(con, wh)
    wh.commit(generation(2))
    assert first <= parquet(wh)
    assert tables["interactions"].count().to_pyarrow().as_py() == CALLS
    del con, tables
    import gc

    gc.collect()
    wh.collect()
    assert parquet(wh) == named(wh)


READER = """
import sys, time
from callgrade.engine.warehouse import FAULT_DISK_FULL_AFTER, Warehouse, WarehouseFull
snap = Warehouse(sys.argv[1]).snapshot()
print(snap.version, flush=True)
time.sleep(120)
"""


def test_a_reader_in_another_process_holds_its_files_until_it_dies(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(generation(1))
    first = named(wh)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "1"
        wh.commit(generation(2))
        wh.collect()
        assert first <= parquet(wh)  # the other process still reads them
    finally:
        reader.send_signal(signal.SIGKILL)
        reader.wait(timeout=30)
    wh.collect()  # its lease is stale now: the kernel dropped the lock with the process
    assert parquet(wh) == named(wh)
    assert list((wh.root / "_leases").iterdir()) == []


def test_collect_removes_orphans_and_never_a_live_file(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(generation(1))
    live = named(wh)
    # what an ingest killed before its commit leaves: a partition file and a manifest draft
    orphan = wh.root / "interactions" / "month=2026-03" / "part-0123.parquet"
    orphan.parent.mkdir()
    orphan.write_bytes(b"PAR1 cut short")
    draft = wh.root / "_manifest.json.0123.tmp"
    draft.write_text("{")
    removed = wh.collect()
    assert set(removed) == {orphan, draft}
    assert not orphan.parent.exists()
    assert parquet(wh) == live
    assert wh.count("interactions") == CALLS


@pytest.mark.parametrize("fail_at", [0, 2, 4])  # the first file, the third, the manifest
def test_a_full_disk_anywhere_in_a_commit_changes_nothing(tmp_path, monkeypatch, fail_at):
    wh = Warehouse(tmp_path / "data")
    wh.commit(generation(1))
    # the same commit on a copy says how large each file it writes is, in writing order
    copy = Warehouse(tmp_path / "copy")
    shutil.copytree(wh.data_dir, copy.data_dir)
    copy.commit(generation(2))
    order = [
        (t, m) for t in ("interactions", "agent_states") for m in ("month=2026-01", "month=2026-02")
    ]
    sizes = [next((copy.root / t / m).glob("*.parquet")).stat().st_size for t, m in order]
    before = ((wh.root / "_manifest.json").read_bytes(), parquet(wh))
    monkeypatch.setenv(FAULT_DISK_FULL_AFTER, str(sum(sizes[:fail_at]) + 1))
    with pytest.raises(WarehouseFull, match=r"is full \(No space left on device\); nothing was"):
        wh.commit(generation(2))
    assert ((wh.root / "_manifest.json").read_bytes(), parquet(wh)) == before
    assert list(wh.root.glob("_manifest.json.*")) == []
    assert wh.count("interactions") == CALLS
